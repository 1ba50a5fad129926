"""presswatch: self-hosted media monitoring."""

__version__ = "0.1.0"
