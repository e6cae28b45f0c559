"""Network layers: one HTTP client factory and one DNS resolver per run."""
