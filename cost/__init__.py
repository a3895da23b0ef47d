"""Monthly cost model of one environment (`make cost ENV=dev REQUESTS=10000`)."""
