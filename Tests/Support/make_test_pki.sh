#!/bin/sh
# Makes a throw-away PKI for the TLS tests (issue 13) in the folder $1, with the openssl command:
#   ca, other-ca                  two certificate authorities
#   server, server-other          server certificates (IP 127.0.0.1, DNS localhost) issued by ca / other-ca
#   server-expired                issued by ca, valid only in 2020
#   server-wrong-name             issued by ca for elsewhere.example only
#   client, client-other          client certificates issued by ca / other-ca
#   client-expired                issued by ca, valid only in 2020
# Each NAME has NAME.pem (certificate) and NAME.key (private key, mode 0600).
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
commonName = supplied
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[ wrong_name_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:elsewhere.example
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF
: > index.txt
echo 1000 > serial.txt

authority() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.pem" -days 3 \
        -subj "/CN=$2" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf NAME CA EXTENSIONS CN [validity options]
leaf() {
    name=$1 issuer=$2 extensions=$3 cn=$4
    shift 4
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
    openssl ca -batch -notext -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" -in "$name.csr" -out "$name.pem" \
        -extensions "$extensions" "$@" 2>/dev/null
    rm -f "$name.csr"
}

authority ca "MMS Test CA"
authority other-ca "MMS Other Test CA"
leaf server ca server_ext mms-test-server -days 2
leaf server-other other-ca server_ext mms-test-server-other -days 2
leaf server-expired ca server_ext mms-test-server-expired -startdate 20200101000000Z -enddate 20200102000000Z
leaf server-wrong-name ca wrong_name_ext elsewhere.example -days 2
leaf client ca client_ext mms-test-client -days 2
leaf client-other other-ca client_ext mms-test-client-other -days 2
leaf client-expired ca client_ext mms-test-client-expired -startdate 20200101000000Z -enddate 20200102000000Z
rm -f ./*.pem.old index.txt* serial.txt* 10*.pem
