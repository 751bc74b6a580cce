"""Who may use the telephony endpoints: sources by their ingest token, people by role."""

from rest_framework import authentication, exceptions, permissions

from metrics.models import TelephonySource, hash_token


class SourceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) of a telephony source.

    The request then has no user: `request.auth` is the source, and only views that accept
    `IsTelephonySource` let it in, so the token can ingest and do nothing else.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        token = header[1].decode(errors="replace")
        source = TelephonySource.objects.filter(token_hash=hash_token(token), active=True).first()
        if source is None or not source.token_hash:
            raise exceptions.AuthenticationFailed("Unknown or inactive source token.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), source

    def authenticate_header(self, request):
        return 'Bearer realm="telephony"'


class IsTelephonySource(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, TelephonySource)
