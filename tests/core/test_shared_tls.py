"""Every provider shares the process's one TLS context, and it still verifies servers."""

from __future__ import annotations

import ssl

from chatcore.providers.openai_compat import shared_tls_context


def test_the_shared_tls_context_verifies_certificates_and_host_names():
    context = shared_tls_context()
    assert context is shared_tls_context()  # made once
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA bundle is loaded: real servers verify
