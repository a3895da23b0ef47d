"""Cache: DynamoDB (moto) with the table shape Terraform creates, the embedded SQLite store,
and outages that must never fail a request."""

import logging

import boto3
import pytest
from moto import mock_aws

from functions.youtube.cache import DAY_S, DynamoCache, EmbeddedCache, SafeCache, cache_key

VALUE = {"videoInfo": {"id": "BaW_jenozKc", "title": "t"}, "analysis": {"tempo": 120.5, "analyzerVersion": "1.0.0"}}
log = logging.getLogger("test-youtube-cache")


class Clock:
    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        # As terraform/modules/storage: hash key cache_key (S), TTL on expires_at.
        client.create_table(
            TableName="cache",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "cache_key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "cache_key", "KeyType": "HASH"}],
        )
        client.update_time_to_live(
            TableName="cache", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
        )
        yield client


def test_youtube_cache_dynamodb_round_trip_keeps_floats(dynamodb):
    clock = Clock()
    cache = DynamoCache(client=dynamodb, table="cache", ttl_days=30, clock=clock)
    assert cache.get("BaW_jenozKc", "1.0.0") is None
    cache.put("BaW_jenozKc", "1.0.0", VALUE)
    assert cache.get("BaW_jenozKc", "1.0.0") == VALUE
    item = dynamodb.get_item(TableName="cache", Key={"cache_key": {"S": "video#BaW_jenozKc#1.0.0"}})["Item"]
    assert int(item["expires_at"]["N"]) == int(clock.now + 30 * DAY_S)
    assert item["video_id"]["S"] == "BaW_jenozKc" and item["analyzer_version"]["S"] == "1.0.0"


def test_youtube_cache_dynamodb_version_is_part_of_the_key(dynamodb):
    cache = DynamoCache(client=dynamodb, table="cache", ttl_days=30)
    cache.put("BaW_jenozKc", "1.0.0", VALUE)
    assert cache.get("BaW_jenozKc", "2.0.0") is None
    assert cache_key("BaW_jenozKc", "2.0.0") != cache_key("BaW_jenozKc", "1.0.0")


def test_youtube_cache_dynamodb_expired_item_is_a_miss(dynamodb):
    clock = Clock()
    cache = DynamoCache(client=dynamodb, table="cache", ttl_days=1, clock=clock)
    cache.put("BaW_jenozKc", "1.0.0", VALUE)
    clock.now += DAY_S + 1  # DynamoDB's TTL sweeper may not have removed it yet
    assert cache.get("BaW_jenozKc", "1.0.0") is None


def test_youtube_cache_dynamodb_missing_table_is_a_miss_not_a_failure(dynamodb):
    errors = []
    cache = SafeCache(
        DynamoCache(client=dynamodb, table="no-such-table", ttl_days=1), logger=log, on_error=errors.append
    )
    assert cache.get("BaW_jenozKc", "1.0.0") is None
    cache.put("BaW_jenozKc", "1.0.0", VALUE)  # must not raise
    assert errors == ["get", "put"]


def test_youtube_cache_throttled_dynamodb_is_a_miss():
    from botocore.stub import Stubber

    client = boto3.client("dynamodb", region_name="us-east-1")
    errors = []
    cache = SafeCache(DynamoCache(client=client, table="cache", ttl_days=1), logger=log, on_error=errors.append)
    with Stubber(client) as stub:
        stub.add_client_error("get_item", "ProvisionedThroughputExceededException", http_status_code=400)
        stub.add_client_error("put_item", "InternalServerError", http_status_code=500)
        assert cache.get("BaW_jenozKc", "1.0.0") is None
        cache.put("BaW_jenozKc", "1.0.0", VALUE)
        stub.assert_no_pending_responses()
    assert errors == ["get", "put"]


def test_youtube_cache_embedded_round_trip_and_ttl():
    clock = Clock()
    cache = EmbeddedCache(ttl_days=2, clock=clock)
    cache.put("BaW_jenozKc", "1.0.0", VALUE)
    assert cache.get("BaW_jenozKc", "1.0.0") == VALUE
    assert cache.get("BaW_jenozKc", "0.9.0") is None
    clock.now += 2 * DAY_S + 1
    assert cache.get("BaW_jenozKc", "1.0.0") is None


def test_youtube_cache_embedded_file_survives_a_restart(tmp_path):
    path = str(tmp_path / "cache.sqlite")
    EmbeddedCache(path=path, ttl_days=1).put("BaW_jenozKc", "1.0.0", VALUE)
    assert EmbeddedCache(path=path, ttl_days=1).get("BaW_jenozKc", "1.0.0") == VALUE


def test_youtube_cache_wrong_shape_is_a_miss():
    inner = EmbeddedCache(ttl_days=1)
    inner.put("BaW_jenozKc", "1.0.0", {"unexpected": True})
    errors = []
    assert SafeCache(inner, logger=log, on_error=errors.append).get("BaW_jenozKc", "1.0.0") is None
    assert errors == ["get"]
