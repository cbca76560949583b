"""Document templates as data, and validation of what people submit. No Flask, no database."""
