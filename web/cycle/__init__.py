"""Starting the annual cycle and its progress (`cycle`), the annual task table (`annual`)."""
