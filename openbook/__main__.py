from openbook.cli import run

run()
