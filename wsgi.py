from ballot import create_app

app = create_app()
