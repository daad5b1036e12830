"""The help page's text: the concepts an admin needs, and how to script the tool."""

HELP_SECTIONS = [
    {
        "title": "The AcmeOrder is the centre",
        "paragraphs": [
            "Everything this tool does with an ACME server happens through an AcmeOrder. An order "
            "belongs to an AcmeAccount (who asks) and a UniqueFQDNSet (for which names). Its "
            "authorizations and challenges, the CertificateRequest it sends, the PrivateKey behind "
            "that request and the CertificateSigned it yields all hang off the order.",
        ],
    },
    {
        "title": "UniqueFQDNSet",
        "paragraphs": [
            "Certificates are tied to a set of names, not to one domain. Any list of domains you "
            "give (an upload, an order, a queue) is reduced to a sorted, de-duplicated set and "
            "stored once. Let's Encrypt's duplicate-certificate limit counts exactly such sets, so "
            "tracking them lets the tool warn you before the server refuses.",
        ],
    },
    {
        "title": "Chains and the CA preference list",
        "paragraphs": [
            "A CertificateSigned is linked to every chain the server offered (CertificateSignedChain), "
            "each chain being an ordered CertificateCAChain of CertificateCA records. The default "
            "chain handed to nginx and Redis is chosen by the global CertificateCA preference list; "
            "if no preferred CA signs any chain, the server's default chain is used. Every chain "
            "stays downloadable by id.",
        ],
    },
    {
        "title": "Private key cycling",
        "paragraphs": [
            "single_certificate makes a new key per certificate. account_daily and account_weekly "
            "reuse one key per account per day or ISO week; global_daily and global_weekly one key "
            "for the whole installation per day or week. account_key_default defers to the "
            "account's own default. Reusing keys keeps nginx and Redis caches small when you serve "
            "many certificates.",
        ],
    },
    {
        "title": "Three ways to provision",
        "paragraphs": [
            "Create an order: validate the request and submit it to the server, then stop; you "
            "drive the remaining steps. Process in a single request: create, answer every "
            "challenge, finalize and download in one call. Process in multiple requests: create "
            "and synchronise, then advance one step per call, either naming the step or letting "
            "the tool pick the next one.",
        ],
    },
    {
        "title": "Queues",
        "paragraphs": [
            "The domain queue collects names to be ordered later in batches. The renewal queue "
            "collects certificates due for renewal; 'update' fills it and 'process' works through "
            "it one item per call, so no request runs long enough to time out.",
        ],
    },
    {
        "title": "Scripting: every page has a .json twin",
        "paragraphs": [
            "Append .json to an admin page's path to get the same data as JSON. A GET on a route "
            "that expects a POST answers with instructions and the form fields.",
            "curl -s http://127.0.0.1:7201/.well-known/admin/index.json",
            "prequest -m POST example_development.ini /.well-known/admin/api/update-recents.json",
            "prequest runs a request inside the application without a server, so long jobs cannot "
            "time out.",
        ],
    },
    {
        "title": "Keep the admin private",
        "paragraphs": [
            "The admin tool shows private keys on purpose. Run it on a private address or not at "
            "all: example_production.ini switches it off and serves only the public routes "
            "(/.well-known/acme-challenge/ and /.well-known/public/whoami).",
        ],
    },
]
