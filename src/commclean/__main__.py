from commclean.cli import main

main()
