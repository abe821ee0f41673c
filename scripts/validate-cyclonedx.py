#!/usr/bin/env python3
"""Validates CycloneDX 1.6 JSON documents against the official schema, offline
(cyclonedx-python-lib ships the schemas). Usage: validate-cyclonedx.py FILE...
Prints each file's verdict; exits 1 if any is invalid."""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

validator = JsonStrictValidator(SchemaVersion.V1_6)
failed = False
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        error = validator.validate_str(handle.read())
    if error is None:
        print(f"{path}: valid")
    else:
        failed = True
        print(f"{path}: INVALID: {error}")
sys.exit(1 if failed else 0)
