"""Settings both services share. Each service's settings module star-imports this first.

Every value can be set from the environment; the defaults are the embedded mode's.
"""

from datetime import timedelta

from bookshop.common.conf import PRODUCTION, env, logging_config, var_dir

VAR_DIR = var_dir()

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "bookshop.common",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY, per service).
    "bookshop.common.content_security.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Brute force (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one username, or
# from one client address, with no LOGIN_LOCKOUT_MINUTES pause between them, logging in
# is refused for LOGIN_LOCKOUT_MINUTES, the right password included. Attempts are rows in
# the service's database, so every process sees the same count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "bookshop.common.clients.client_address"
AXES_LOCKOUT_CALLABLE = "bookshop.common.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Successful logins are not recorded (an ever-growing table nobody reads).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner at every process start; failures are still logged
# The header a proxy in front sets to the client's address (nginx: X-Real-IP); empty means
# REMOTE_ADDR. See bookshop.common.clients.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="X-Real-IP" if PRODUCTION else "")

TEMPLATE_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
# In the embedded mode WhiteNoise serves static files straight from the apps and packages,
# so nobody has to run collectstatic; production collects them for nginx.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not PRODUCTION)
WHITENOISE_AUTOREFRESH = DEBUG
# Production pages name static files by content hash (from the manifest collectstatic
# writes), so nginx can let browsers cache them for good; gzip copies sit beside them.
if env.bool("STATIC_MANIFEST", default=PRODUCTION):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the cart's script reads it for fetch()
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Behind nginx and, in production, a TLS-terminating proxy. HTTPS=1 means browsers reach
# the site over https and the proxy in front says so with X-Forwarded-Proto: https; it
# turns on each setting below, and each can still be set on its own.
HTTPS = env.bool("HTTPS", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# Not redirected: health probes, and the Store API, which the shop calls in plain http
# inside the private network (a redirect would not protect an API client anyway: its
# token has already been sent by then).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^api/"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOGGING = logging_config(LOG_LEVEL)
