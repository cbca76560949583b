"""The workflow engine and domain services of Zhengai, free of any web framework."""
