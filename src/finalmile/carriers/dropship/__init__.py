"""Drop shippers: a manufacturer or wholesaler ships direct; finalmile records and tracks it."""
