import os

from django.core.wsgi import get_wsgi_application

from gonghui.conf import restrict_umask

restrict_umask()  # a WSGI server importing us is a gonghui process: its files stay private
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
application = get_wsgi_application()
