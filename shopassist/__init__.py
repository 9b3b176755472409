"""shopassist: the cross-cutting pieces (settings, errors, the command line).

The request itself flows through the stage packages: catalog → retrieval → ranking →
assistant → ui.
"""

__version__ = "0.1.0"
