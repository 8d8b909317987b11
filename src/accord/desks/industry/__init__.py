"""The industry desk: eligible consortia, origin rules and supply options for joint
defence projects under the EDF, EDIRPA, EDIP and SAFE (issue 11, being built).

Only ``accord.core`` is imported here. The rules are data (``data/rules.yaml``), read by
:mod:`accord.desks.industry.rules`.
"""
