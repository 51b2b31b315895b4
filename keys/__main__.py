"""python -m keys …"""

from keys.cli import main

main()
