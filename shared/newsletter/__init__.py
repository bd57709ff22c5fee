"""The newsletter for leaders of leaders: double opt-in, one-click unsubscribe, sends that
reach every subscriber exactly once, bounce and complaint suppression."""
