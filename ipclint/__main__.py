from ipclint.cli import main

main()
