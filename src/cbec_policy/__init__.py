"""cbec-policy: China's cross-border e-commerce (跨境电商) policy corpus, analysis and rules as code."""

__version__ = "0.1.0"
