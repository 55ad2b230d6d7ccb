// cib/secrets.hpp: which parameter names are secret, and masking them in
// CIB XML, crm shell text and key=value text (a fence agent's stdin, log
// fields) while leaving everything else byte for byte.
#include <boost/test/unit_test.hpp>
#include <string>

#include "cib/secrets.hpp"

namespace cib = holdfast::cib;

BOOST_AUTO_TEST_SUITE(cib_secrets)

BOOST_AUTO_TEST_CASE(secret_names) {
    for (const char* n :
         {"passwd", "password", "PASSWORD", "snmp_priv_passwd", "password_script", "secret_key", "client_secret",
          "api_token", "token", "apikey", "api_key", "ssh_private_key", "community", "--password", "-passwd"})
        BOOST_TEST(cib::is_secret_param(n), n);
    for (const char* n : {"user", "login", "ip", "key", "pcmk_host_list", "ipaddr", "port", "keytab", "tokenizer",
                          "op_key", "operation_key", "transition-key", "access_key"})
        BOOST_TEST(!cib::is_secret_param(n), n);
}

BOOST_AUTO_TEST_CASE(xml_nvpairs_and_attributes) {
    const std::string in =
        "<primitive id=\"f\" class=\"stonith\" type=\"fence_ipmilan\">\n"
        "  <instance_attributes id=\"f-ia\">\n"
        "    <nvpair id=\"f-ia-ip\" name=\"ip\" value=\"10.0.0.1\"/>\n"
        "    <nvpair id=\"f-ia-passwd\" name=\"passwd\" value=\"s3cr&gt;t\"/>\n"
        "    <nvpair value='tok' name='api_token' id='f-ia-t'/>\n"
        "  </instance_attributes>\n"
        "  <!-- a comment with password=hunter2 -->\n"
        "  <odd password=\"x y\"/>\n"
        "</primitive>\n";
    const std::string out = cib::mask_secrets(in);
    BOOST_TEST(out.find("s3cr") == std::string::npos);
    BOOST_TEST(out.find("tok'") == std::string::npos);
    BOOST_TEST(out.find("hunter2") == std::string::npos);
    BOOST_TEST(out.find("x y") == std::string::npos);
    BOOST_TEST(out.find("name=\"passwd\" value=\"*****\"") != std::string::npos);
    BOOST_TEST(out.find("value=\"10.0.0.1\"") != std::string::npos);
    BOOST_TEST(out.find("id=\"f-ia-passwd\"") != std::string::npos);  // ids name it, they are no secret
    BOOST_TEST(cib::mask_secrets(out) == out);                        // idempotent
}

BOOST_AUTO_TEST_CASE(text_pairs) {
    BOOST_TEST(cib::mask_secrets("ip=10.0.0.1\npasswd=abc\nusername=admin\n") ==
               "ip=10.0.0.1\npasswd=*****\nusername=admin\n");
    BOOST_TEST(cib::mask_secrets("params ip=1.2.3.4 password=\"a b c\" community=public") ==
               "params ip=1.2.3.4 password=\"*****\" community=*****");
    BOOST_TEST(cib::mask_secrets("fence_ipmilan --password=p4ss,x") == "fence_ipmilan --password=*****,x");
    BOOST_TEST(cib::mask_secrets("nothing secret here: a=b <x y='z'>") == "nothing secret here: a=b <x y='z'>");
    BOOST_TEST(cib::mask_secrets("passwd=") == "passwd=");
    BOOST_TEST(cib::mask_secrets("") == "");
}

BOOST_AUTO_TEST_SUITE_END()
