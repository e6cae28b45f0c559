"""AcmeMail: a made-up email provider, installed as a third-party plugin by
tests/test_new_provider.py to prove that a provider is its probe, its fake and
its rows — nothing else in oneinbox-check has to change."""
