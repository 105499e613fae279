"""``manage.py certificate_keys_rotate``: create a new active Ed25519 key in RUTA_SIGNING_KEYS_DIR.

Old keys stay in the folder (and their public halves in the database), so older certificates still verify.
To retire an old private key, replace ``<kid>.pem`` by its public ``<kid>.pub.pem``.

With ``RUTA_SIGNING_KEY_PEM`` set the key in the environment signs, whatever the folder holds: the command refuses
and writes nothing (a new key in the folder would never sign, and would be a private key left on disk for nothing).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certification import signing


class Command(BaseCommand):
    help = "Generate a new active certificate signing key (key rotation)."

    def handle(self, *args, **options):
        if getattr(settings, "RUTA_SIGNING_KEY_PEM", ""):
            raise CommandError(
                _(
                    "La clave de firma activa está en RUTA_SIGNING_KEY_PEM, así que este comando no crea ninguna "
                    "(no se escribió nada). Para rotarla: genera una clave Ed25519 nueva (openssl genpkey -algorithm "
                    "ed25519), pon el PEM nuevo en RUTA_SIGNING_KEY_PEM y reinicia todos los procesos. Los "
                    "certificados ya emitidos se siguen verificando: su clave pública está guardada en la base de "
                    "datos. O bien quita RUTA_SIGNING_KEY_PEM y usa una carpeta de claves (RUTA_SIGNING_KEYS_DIR) "
                    "con este comando."
                )
            )
        folder = signing.keys_dir()
        if folder is None:
            raise CommandError("Set RUTA_SIGNING_KEYS_DIR to the folder that holds the signing keys.")
        pair = signing.key_file_create(folder)
        self.stdout.write(f"Nueva clave activa: {pair.kid} ({folder / (pair.kid + '.pem')})")
