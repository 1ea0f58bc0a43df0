"""Exceptions raised for the status codes of the C API."""
from . import _lib as L


class BiornnError(Exception):
    """An error reported by the biornn library; .status is the C status code."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class InvalidArgumentError(BiornnError, ValueError):
    """An invalid argument, option key or option value."""
    status = L.ERR_INVALID


class NullPointerError(BiornnError, ValueError):
    """A required pointer was NULL (a bug in the binding if seen from Python)."""
    status = L.ERR_NULL


class HandleError(BiornnError):
    """The object was freed (closed) or is of the wrong kind."""
    status = L.ERR_HANDLE


class SizeError(BiornnError, ValueError):
    """An array has the wrong size."""
    status = L.ERR_SIZE


class DataError(BiornnError, OSError):
    """A file or data set could not be read or written."""
    status = L.ERR_IO


class Cancelled(BiornnError):
    """Training was cancelled by the progress callback."""
    status = L.CANCELLED


class InternalError(BiornnError):
    """An internal error in the library (please report it)."""
    status = L.ERR_INTERNAL


class UnsupportedError(BiornnError):
    """The operation does not apply to this network."""
    status = L.ERR_UNSUPPORTED


_BY_STATUS = {c.status: c for c in (InvalidArgumentError, NullPointerError, HandleError, SizeError,
                                    DataError, Cancelled, InternalError, UnsupportedError)}


def last_error():
    """The message of the last failed library call on this thread."""
    # Not through L.lib(), which may first update the library's environment
    # (another call, which would clear the message).
    return L._last_error(L._lib if L._lib is not None else L.lib())


def check(rc):
    """Raises the exception of status rc (nothing for 0)."""
    if rc != L.OK:
        cls = _BY_STATUS.get(rc, BiornnError)
        raise cls(last_error() or f"biornn: status {rc}", rc)
