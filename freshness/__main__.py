"""python -m freshness: the same CLI as the `freshness` console script."""

from freshness.cli import main

if __name__ == "__main__":
    main()
