"""A Docker-free stand-in for API Gateway REST with Lambda proxy integration (`make serve`).
Not deployed: the build zips only the function packages and `common`."""
