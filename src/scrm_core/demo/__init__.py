"""The bundled demo: data, fake platforms and the demo run."""
