"""One HTTP stack for every fetch: session, address guard, deadline, bounded bodies, retry policy."""
