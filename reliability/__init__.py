"""The reliability harness: fault, hostile-input and load checks (`make reliability`)."""
