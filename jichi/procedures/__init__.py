"""Online procedures: the catalog declared as data, applications and their workflow,
prefill from the register (書かない), and life events (引越し, 出生, おくやみ)."""
