"""Icons, style sheets and example workspaces, shipped inside the wheel as micrograd_gui.resources."""
