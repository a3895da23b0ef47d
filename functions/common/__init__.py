"""Code shared by every function: errors, HTTP set-up, deadlines, observability."""
