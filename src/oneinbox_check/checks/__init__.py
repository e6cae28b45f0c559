"""Provider-independent rules (key hygiene, E.164, email, SPF/DKIM/DMARC).

They take values (or a resolver) and return results; they never import probes
or report formatters.
"""
