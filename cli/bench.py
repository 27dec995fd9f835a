"""``dosaku bench``: placeholder until the terminal game lands."""


def add_parser(subparsers):
    parser = subparsers.add_parser("bench", help="bench against the bot")
    parser.set_defaults(run=lambda args: 0)
