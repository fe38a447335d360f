"""The ``qheatnet`` command line: parse, call the API, print; library errors become one line and exit code 2."""
