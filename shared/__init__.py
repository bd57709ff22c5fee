"""The domain of the member services, shared by the functions, the CLI and the local runtime."""
