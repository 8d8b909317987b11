"""Desks: one plug-in package per cooperation area, found through the ``accord.desks``
entry-point group. A desk imports :mod:`accord.core` only, never another desk."""
