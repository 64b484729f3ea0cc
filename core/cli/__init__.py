"""The command line: argument parsing and commands only; every rule it applies lives below it."""
