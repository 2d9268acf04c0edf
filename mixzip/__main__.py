"""``python -m mixzip``: the mixzip command."""
from mixzip._entry import main

main()
