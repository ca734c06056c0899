"""Where papers come from: arXiv wire-format parsers (wire), file import (files) and network sources."""
