"""`python -m cost --env dev --requests 10000`: the expected monthly cost with its breakdown.

`make cost ENV=dev REQUESTS=10000` runs this. Prices come from the newest cost/prices-*.json
(or --prices) with Bedrock's from functions/poetry/bedrock_prices.json, traffic from
cost/workload.json, everything else from Terraform (tfparse). Besides the month it prints the
most one day can cost under the daily spend cap and the API throttle."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cost.model import Estimate, Line, estimate, load_prices
from cost.worst_day import max_day

HERE = Path(__file__).resolve().parent


def newest_prices() -> Path:
    files = sorted(HERE.glob("prices-*.json"))
    if not files:
        raise SystemExit("no cost/prices-*.json")
    return files[-1]


def _duration(text: str) -> tuple[str, float]:
    key, _, ms = text.partition("=")
    try:
        value = float(ms)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected function=milliseconds, got {text!r}") from None
    if not key or value < 0:
        raise argparse.ArgumentTypeError(f"expected function=milliseconds, got {text!r}")
    return key, value


def _singular(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") and not unit.endswith("-s") else unit


def _price(line) -> str:
    if line.unit_price and line.unit_price < 0.01:
        return f"${line.unit_price * 1e6:,.4g}/1M {line.unit}"
    return f"${line.unit_price:,.4g}/{_singular(line.unit)}"


def render(
    result: Estimate, *, prices_file: Path, prices: dict, budget: float | None, day: list[Line] | None = None
) -> str:
    meta = prices["_meta"]
    out = [
        f"Monthly cost of {result.environment} for {result.requests:,} API requests "
        f"({prices_file.name}: {meta['region']}, {meta['currency']}, prices as of {meta['as_of']})",
        "",
    ]
    out.append(f"{'Service':<16}{'Item':<56}{'Quantity':>22}  {'Unit price':<24}{'USD/month':>10}")
    for line in result.lines:
        quantity = f"{line.quantity:,.0f}" if line.quantity >= 100 else f"{line.quantity:,.4g}"
        unit = _singular(line.unit) if line.quantity == 1 else line.unit
        out.append(
            f"{line.service:<16}{line.item[:55]:<56}{quantity + ' ' + unit:>22}  {_price(line):<24}{line.cost:>10.4f}"
        )
    out.append("")
    out.append(f"{'Fixed (alarms, dashboard, storage, secrets, budget)':<72}{result.fixed:>34.2f}")
    out.append(f"{f'Workload ({result.requests:,} requests)':<72}{result.variable:>34.2f}")
    share = f"  ({result.total / budget:.0%} of the {budget:g} USD budget)" if budget else ""
    out.append(f"{'TOTAL at list prices':<72}{result.total:>34.2f}{share}")
    out.append(f"{'TOTAL with always-free allowances (if unused elsewhere)':<72}{result.total_after_free:>34.2f}")
    if result.requests:
        out.append(f"{'Each 1,000 more requests adds':<72}{result.variable / result.requests * 1000:>34.4f}")
    if day:
        out += ["", "The most one UTC day can cost under the caps (list prices):"]
        for line in day:
            out.append(f"  {line.service:<14}{line.item[:60]:<62}{line.cost:>30.2f}")
        out.append(f"{'MOST ONE DAY CAN COST':<72}{sum(line.cost for line in day):>34.2f}")
    out += [""] + [f"Note: {note}" for note in result.notes]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cost", description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True, help="dev, staging or prod (a terraform/environments/*.tfvars)")
    parser.add_argument("--requests", type=int, required=True, help="API requests a month")
    parser.add_argument("--prices", type=Path, default=None, help="price file (default: newest cost/prices-*.json)")
    parser.add_argument("--workload", type=Path, default=HERE / "workload.json")
    parser.add_argument(
        "--duration",
        type=_duration,
        action="append",
        default=[],
        metavar="FUNCTION=MS",
        help="measured duration of every call to FUNCTION, e.g. poetry=2400 (repeatable)",
    )
    parser.add_argument(
        "--worst-case",
        action="store_true",
        help="every call runs to its timeout, every invocation is cold, poems use maxTokens",
    )
    parser.add_argument("--json", action="store_true", help="print the breakdown as JSON")
    args = parser.parse_args(argv)
    if args.requests < 0:
        parser.error("--requests must be >= 0")

    from cost.deployment import budget_limit, from_terraform

    prices_file = args.prices or newest_prices()
    prices = load_prices(prices_file)
    workload = json.loads(args.workload.read_text())
    try:
        deployment = from_terraform(args.env, workload=workload)
        result = estimate(
            requests=args.requests,
            deployment=deployment,
            workload=workload,
            prices=prices,
            worst_case=args.worst_case,
            durations_ms=dict(args.duration),
        )
        day = max_day(deployment=deployment, workload=workload, prices=prices, fixed_per_month=result.fixed)
    except ValueError as err:
        print(f"cost: {err}", file=sys.stderr)
        return 2
    if args.worst_case:
        result.notes.append("worst case: every call runs to its configured timeout")
    budget = budget_limit(args.env)
    if args.json:
        print(
            json.dumps(
                {
                    "environment": result.environment,
                    "requests": result.requests,
                    "prices": prices_file.name,
                    "total": round(result.total, 4),
                    "fixed": round(result.fixed, 4),
                    "total_after_free": round(result.total_after_free, 4),
                    "max_day": round(sum(line.cost for line in day), 4),
                    "max_day_lines": [{"service": x.service, "item": x.item, "cost": x.cost} for x in day],
                    "budget": budget,
                    "notes": result.notes,
                    "lines": [
                        {
                            "service": x.service,
                            "item": x.item,
                            "quantity": x.quantity,
                            "unit": x.unit,
                            "unit_price": x.unit_price,
                            "cost": x.cost,
                        }
                        for x in result.lines
                    ],
                },
                indent=1,
            )
        )
    else:
        print(render(result, prices_file=prices_file, prices=prices, budget=budget, day=day))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
