"""What may be fetched and how politely: settings blocks, robots.txt, scope rules, trap checks."""
