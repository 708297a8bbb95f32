"""Allow ``python -m cbec_policy``."""

from cbec_policy.cli import main

if __name__ == "__main__":
    main()
