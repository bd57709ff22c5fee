"""The domain of the leaders-of-leaders member services, shared by functions, CLI and local runtime."""
