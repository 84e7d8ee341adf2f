from bookshop.common.wsgi import long_lived_application

application = long_lived_application("bookshop.store.settings")
