"""The local runtime: the synthesized stack on an embedded moto emulator, no account, no Docker."""
