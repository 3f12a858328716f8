"""The Docker sandbox: the image, the hardened container, and the runner's result frames."""
