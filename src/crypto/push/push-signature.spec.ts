import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { base32Decode } from '../base32';
import { PushMessage } from './push-messages';
import {
  appPublicKey,
  decodePushSignature,
  generateServerKeyPair,
  parsePhoneKey,
  PushKeyError,
  serverPrivateKey,
  serverPublicKey,
  signPush,
  verifyPush,
} from './push-signature';

// ---- push.md §12 test vectors (throw-away 2048-bit keys, copied verbatim) ----

/** §12.1 phone private key (PKCS#8, throw-away test key). */
const PHONE_PRIVATE_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCcNX2TkVPphhNn
krFBXrLZBPhGAsyrYjcus4DUT6hIF8PcbtxHZk+IlP59zZdd1jaWc0EdIYV6ogRo
HFw8NXG4SUG87dPz9yC2Fe1nOfHe0ACNpwSrOSs8y8DBQC0pRrz+rC54CDS5xYZM
KchMWXN3hqYgz117UBMQ92Obkc+d1StMUi9JxjwkO3kyQ9dJqv7mYVIsgOtb1Ep5
R8l/UllfvpKSeiqzDOgBfunAMCY0Xkg91fs8eRACsIkgqR7f+SIXgevT6VlRx037
4FI4sQg3EiD72KDoTsCa4i5duXVJWjIbLgb7CHV5BY1hcM845cIqe39FO31Qq5jS
2qRKUi5TAgMBAAECggEAEvEdkCZgQYIDmlycZ+vezhgfLwYp4WJghKY5qgUax9sx
4eoDhhju7gX7MjAa+cL/DZFeRPUKpYs984301Uw5xPoFIa7JM900tz/DcPAC11zr
pEGrfEPLbWzbq9NnZojwZAVnASElm51LIrMyWafDK6xFOtdKY6ibF0SYbIXq4h2F
ybzrmetxAWsDMpqdu8ARtvDAndFuhr2s8GTNb8mRkMVxZl/f/A2kdlkOprZpHzPm
LCmx1ZC44PRiaM0/O3zzf8wy8OROYIUUbQtsnA3TKGVJo/7duNt4z7Qx+5eVIzPO
Pc2o1wyis6XBao95ZWdwxm9yp69lsQ/n2ua7J+UEWQKBgQDJVcL8DXxAx5hFsQe2
SNCHxD/+F/6ErSnW2Coyvlz7yvFQvodQod6me0bKrkRI9wqVNRJenHbH7f05+ter
/UU9n3UXuCTllDQ4cwNTVYtBL/oJKcBW/xnqjhZiImsfy5Q3Zson+8AtAgfBJS9a
eDFsfWPE24Spke2bMNzCngBirwKBgQDGnyQ9nQZFjctqeSfCWTicNe0oL+OkbgoK
CBP2aJjOF33H+HAFhntTd6ya5+F/MFgh+akJLQV01fCyOu3T44CLcGzdesn78ccc
S6FhOC1O/lFVykhstdoaA75wdmY+uS09wNwin14hvDQLCpYMxZLscFz77kVLf/Bg
DQzb4wMnnQKBgHNcF3fyhiJb+uzbrY6NlCZmlUATIXuF+LYob61Zk8+WDcT1FnVl
+jwr4HkbdvbTzhWGLjtVrV2LCJAjIVZjrTvM1Pu9QC7nRzCc/efO2RaF1d9QM+vl
CUVzGnIqRHUYYZmI5QYZ4pgnVKgflU1iFveRtQvDt/StL5a/XY6Jl7DzAoGAZFVr
5zv1ORmB0k1VilWrxS1wmcZnRl7X721ZODZqSmGPhn63h/MBRY7EwJO2U5vGSZNm
kl4NzZFtP3uJPGpGOyoVtGQcuIrQPDjwUr4gFTFfQOkoYNIUVOPjRchpqfG9Kt7L
1SmQUZZS6+jzF4yOxaWVMyaQFq2QbdTp1AH/S/kCgYEAvo/Ucl+m+lT4yxkgMlWM
u6k197OgRvHZo0Od50G4oaHhYe53rljNFn3SrbFMwhW5KRGDSiX9wZ1QdytqrImu
3rOnCnoX8/+wg7C+miAXP+IgPT9bZ75zyoniJE8wPRt/vO38XY0ukDplfVycC1AK
QUj1AqXIN2HZlbzB6g3wPE4=
-----END PRIVATE KEY-----
`;
/** §12.1 the `pubkey` form value (base64 DER SPKI). */
const PHONE_PUBKEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnDV9k5FT6YYTZ5KxQV6y2QT4RgLMq2I3LrOA1E+oSBfD3G7cR2ZPiJT+fc2XXdY2lnNBHSGFeqIEaBxcPDVxuElBvO3T8/cgthXtZznx3tAAjacEqzkrPMvAwUAtKUa8/qwueAg0ucWGTCnITFlzd4amIM9de1ATEPdjm5HPndUrTFIvScY8JDt5MkPXSar+5mFSLIDrW9RKeUfJf1JZX76SknoqswzoAX7pwDAmNF5IPdX7PHkQArCJIKke3/kiF4Hr0+lZUcdN++BSOLEINxIg+9ig6E7AmuIuXbl1SVoyGy4G+wh1eQWNYXDPOOXCKnt/RTt9UKuY0tqkSlIuUwIDAQAB';
/** §12.2 server private key (PKCS#1, throw-away test key). */
const SERVER_PRIVATE_PEM = `-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAtDVVi44B4Mlq0PJh/9GTMgnfyIobMsVvbocXWw8n/zH7Ctji
ibohp47MAtZHeXNF6yM5MM3s8cEzKfejb7Z0L3apZpEXgC3Ag7xUPSBiyC+kmam6
TFa0gCIzaLs5CNWFKPLbfUZpFoEBd+RDbfV8RAbu9FZDAsZxjPdnrvawuERRGlXM
6nwyP7/4p+yF2alv8YO3lEzMVZ/4autCLR6D2V6s6PWMVRp6FlyoohKL/1vPnlcR
2yXGm4bQygNrOId3ddhAL0ieKlCk/XH20Yk8a9VnV1beBQ0fDyPf/q2HRBflhtMf
ybv6v87Nh9u2vL4rFw5yaxmuCJVlh2hLO0pAwwIDAQABAoIBABXh3A9kIQpAqv3Q
UOIVesA6vrfFPWQ+4TcUpFtkTcEJOqioiWmb9nY4OsGlb2xp+PWCg3FPsBPzF9li
vq/UAeu5hvxzZd0ksRnOBpSdmCEi1+Po3jxi0uw0OvXetiBCfTbptolRwXUAGUOL
rjxt8Lb5+I4m42A05JjveeGfBvp47IucA8+wTYQTcoczo700S9/HmDS9PPQIILQt
IQt6zZnrksREahahbKcDMIU9W2gHdZt6cnMl3/F6BRHmvTNmRGYcXxYa+98s9NC3
DEW/J0H5ZZQ60DW/8xTxAEXtkFzbeX1oJ1lYQB7RV+p1vi0cFxY2hNfqvdUI47Bq
Zu7cvTECgYEA9wtIgEsUMEK6HT3Lv7XympkwP11XRN4sJ1qsmuAUTceI1EKUlqG5
1oJ9HClrO9kLNIP0qHloXkugSB0zNtoUieDFeBy1XQWbUju0VbdjClNmr9uP4ZWH
Cdlk/QMJhRMZsaCuVHfcE9UUcwMxm0cLf/eWwSNpCK8KdVaIsmQqbV0CgYEAur3G
e2fhDX4eKEb+hBoP+IkL/aP3FUphldzomDnvu838TFWYyyPKj+BPxNFAKKqASrcL
jtbjddgKWjnIk8cD0r3GPtMiyvMkPewD2rkldKYVTTWi8Vn3KXKbRM+TFBBQiz3I
gnD2b/yAnncZpgQRn+sb+ikklzPhxV1DeF+YZJ8CgYASGAF3ZAhWgIyhF6WUpP7f
09h0y6FYqe0R9NIvhbn2+GZNJZM8dRvnWidPqLjx6TOo5QFGVZ4PSfqzTXAy1EYs
0wmjgnbGGWMG4tiSbpwSZYlf1/Tx0MHTNtjurwpDdOKs39fk1+KGkVSuF83KUanF
9ZxVCQLoX+mkLnJUnoF9AQKBgFMEcQuFl9BWw/Nl9Fon9/emfXUqAnstkQp9pc2e
3AvivAn3d7C/XZruvqeh2uL5QYV1sKa0s3Q9MgUAcUH5FKMIiOx/EpWk1/TLSr9e
1d7wwsGLWb/wHegIMiy6FwmxYw0zz0LmEzifyVIpYnaikm9EpzBkQAcUIoeKOad2
4BnDAoGBAOkAMTUbWmqqs0kWso0eY11TeN0SUS7cg+8HfmCTOdJmBaPVDRcILXh9
npK0OCMuG5VKBfwvmVJs20ap7l/Hil/p5apWLfZ+1XjD7fwSwmWARtvsSMx4R1dm
9Rej9JEGm8CkLf2QhCN70KT9ockDRpjPg+u2DQ3WROQDRUjIlWty
-----END RSA PRIVATE KEY-----
`;
/** §12.2 stored `public_key_server`. */
const SERVER_PUBLIC_PEM = `-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAtDVVi44B4Mlq0PJh/9GTMgnfyIobMsVvbocXWw8n/zH7Ctjiiboh
p47MAtZHeXNF6yM5MM3s8cEzKfejb7Z0L3apZpEXgC3Ag7xUPSBiyC+kmam6TFa0
gCIzaLs5CNWFKPLbfUZpFoEBd+RDbfV8RAbu9FZDAsZxjPdnrvawuERRGlXM6nwy
P7/4p+yF2alv8YO3lEzMVZ/4autCLR6D2V6s6PWMVRp6FlyoohKL/1vPnlcR2yXG
m4bQygNrOId3ddhAL0ieKlCk/XH20Yk8a9VnV1beBQ0fDyPf/q2HRBflhtMfybv6
v87Nh9u2vL4rFw5yaxmuCJVlh2hLO0pAwwIDAQAB
-----END RSA PUBLIC KEY-----
`;
/** §12.2 `detail.public_key` (inner line breaks kept, no trailing newline). */
const DETAIL_PUBLIC_KEY = `MIIBCgKCAQEAtDVVi44B4Mlq0PJh/9GTMgnfyIobMsVvbocXWw8n/zH7Ctjiiboh
p47MAtZHeXNF6yM5MM3s8cEzKfejb7Z0L3apZpEXgC3Ag7xUPSBiyC+kmam6TFa0
gCIzaLs5CNWFKPLbfUZpFoEBd+RDbfV8RAbu9FZDAsZxjPdnrvawuERRGlXM6nwy
P7/4p+yF2alv8YO3lEzMVZ/4autCLR6D2V6s6PWMVRp6FlyoohKL/1vPnlcR2yXG
m4bQygNrOId3ddhAL0ieKlCk/XH20Yk8a9VnV1beBQ0fDyPf/q2HRBflhtMfybv6
v87Nh9u2vL4rFw5yaxmuCJVlh2hLO0pAwwIDAQAB`;
const CHALLENGE_STRING =
  'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT|https://mfa.example.org/ttype/push|PIPU0001ABCD|Do you want to confirm the login?|privacyIDEA|1';
const CHALLENGE_SIGNATURE =
  'GLFZXVWN6LOAYTZI4TFGE7IA76PPEOVCFFWGVYZVJM7NZR53QV3IGAZBSU625FV7R5EN7XJZN2AFCI4YRVYNWN5JI43QJCZX6WTWOLIMA64P6DJJJJXJJJOFWAAAXCU4EBQ4CYJO23YM4P2XRMJIDNG4P75336AMFRGIO4MK7ZICEZXUR4PS45R23HKD2ATPHRZMZW2IGKAYKAFPTZTE4B3HZ6NA67NXKYO3LW4XUX4PFBQH5SQVKNHAUEHTWVRPHJDO2FNUUNHIRJS6WKLJGGNJFL2S5S4KE2H64COD3G67RCVWPEEX2KPVROAMSTJTAGKY74UZVUOL33CTJEDM5JRNE2LX37ETJB7CB6HABZQX3LOZJIC6IBXGC7ZER7NVY4IOUMJZ3NH4X3E7V3K6GJCMDU======';
const PRESENCE_CHALLENGE_STRING =
  'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT|https://mfa.example.org/ttype/push|PIPU0001ABCD|Do you want to confirm the login?|privacyIDEA|1|A,B,C';
const PRESENCE_CHALLENGE_SIGNATURE =
  'PUDM4PZV36AMNXM7UFAUKPXLW2AWRD5DJBH2I7OO5ODFA4A5QAW54SWPR7LEPTEG3AOHGHITQK4SN3BF7IBCHJFE6PPS4RGFQP22ZZHZB2KA4OUG3QC6O3A7T7BUCMOSS5IUVJ25GTSIRNI7DPLES52FSHGBI5XP4UYB2RDFN7HIV6RKJCYD743TPOL4VCVZ6TD6UMCMRGAHNQWCOEA47OQHICCJ6QXL7ICQDD6JCENQDD7BG5A6VLSWMMSCHYGBBCAISQGG4TNFC7YOBVLC6QZMTOA3HNTUF6AIMIL5TA4MUQKPE7SHUOWTADF6EV2TBA3UIZQIFTBWK52FTQF3LSJ3X5Z7YWRNDRE4WHAN7VZ5F46E4LUVTMERRCTIZWBOWEZE7D4RN2PHJJX74UHXKXVKXI======';
const CAPABILITIES_STRING =
  '{"capabilities":{"decline_reason":true},"nonce":"AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT"}';
const CAPABILITIES_SIGNATURE =
  'EYDX3DLU6G5GAWUPAJ2Q4LKO4IEGLMIOIMJ6FVBSQJF44SAA7JKSAO5453JYHTCOETROGQRXL4GXGI6XEAPEBLD6M5OWEGNCY37LHC5O7ZSSRUWCNRWMWAVPBW4LDDPBWTXZUB253JNJ2TOTKQ4Q4QGUPDGFZJO27YGMJHAO55KUONASSP4RI7GK4BMIVMNJAD33A4BLD6V2A7MPS2T3TXX7RFGEZPK2XBUBSX7L5EMMPLYCFYFQ2PWSGXMLMZB6BWI6PHEKNQ4Z6WMBHEXMGV477QMLVRXRCBJBCWUQCICFWHG34KYRCMBTCBRDKMWQMI3FWXZ2IM3EIIEHJGL5RGGKYMX2WFPUP4AGIJBQEQGR4VFGETYC7YCGJOGTDRIY2DBU6QHSNAFU2HCP3QFYDBO2SQ======';
const ACCEPT = {
  message: 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT|PIPU0001ABCD',
  signature:
    'HGXS5YNPR3HQGCEWZKHSETMYVXFNZXJZNE6XHAOKWAILMC4ACLFJRW5TTFO3S6R75XNMHJ2FFWAQ57COFIF75NRHLHI5BKKEFIEQYC43CCXPBZNA3SLY4EBOPKFR6H3OESFOZ5CMDUGAY2CGL7G4EEIUOTOFAP277A5KPONF6WS2BPPH3PS5MWGOQILM2ID6HOHC3PRCORFS3UGTNPIPCYAA3KJCQNQRFYDFM6RLGI4HVDPXJ5KTRJXBE7LE5E3SQJA4KWFPLCANWSBJ2UIEHO6XFEHEK3CBT5BT722KJLGJS6ADLLTZCTCL3GQUNSV55EXK46GSIFOXGCF347APCEYUOY4R6DPM2FMFHUNH2STRGLTCANHZVF4ICE63ERB5XUFAJ7QSO7Q7IYUZSMU7JHBYSU======',
};
const DECLINE = {
  message: 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT|PIPU0001ABCD|decline',
  signature:
    'C37NXS2XSA5HPKSMRMIPPIIZNAUWSWDZOEPIXJ32YHYRNMH2CEWYVKUTB6HYJTLNCADQRRFYEGCKTI4LLWSIASBQ6ZL4HCQLHKMLZGPBELRZECDSO6VYWWFHQMHDWB3GJM2BTSGRSR47Z4MLHIVGPPIHCMA2GYUGYYCMPURJUW2TLH6WJZIDNM4LQRGBAJ74XF3K4H7NXEAHBXV7ZD5PREKPX63ONPSTXNEYRP46EX6XLLDOLCLEYZ4SRSSRAGPQZZPTKOXWVGTXOBMMAI2OLWC7HOM4ZINUEVYRNWZPC5QM672JR2ADOJVUFZE77U4DFQDEYTVZ7LU4FPX2ZQLVU4CY5GNCINTZBGLDWW4TBP3GZRHQQJ5VL5ODHNRYZD4PS52B6KY2FQ3MYZVBHXTGNYUHFU======',
};
const PRESENCE_ACCEPT = {
  message: 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT|PIPU0001ABCD|B',
  signature:
    'GAGHXX2ZZQJJ5L2MSLTJ57V6MUYU6JSCSJZ65VWD3YPSLBORBODAMPM5FNWTDRXTJ6AABBKHYUAVPKSHOKIHHPR3K6XMDCR6IGYO2W3KRWDOEOGDVH77647QCTMU52AW2IZKNZAXXFWJLFA22FBNJH6LHY3BPHLAULQ7A5QP6Z5BJRSAFUXR76SZ57E5VA7IOTZTZNJI2V7EYT5YY22OLV7P63MG4KGTPXXFVOYQUFNPD56GHPOOEXKWL2IA6ZEY3T53COSM5N6QCB2YLUU5G6PTAD2JJUGSFR7PLIDGVL3AUQ7BZ2FOKZHO7YK7KZB4FWG2V5LFD2P4DUWNJK7OLFUYPSGE2OII4ZIUEDRHWWMAP2F7PLA4F64CYP33INZVFQMYTG65PDQRKBWFNBKSBACSOU======',
};
const POLL = {
  message: 'PIPU0001ABCD|2025-01-01T12:00:00.000Z',
  signature:
    'AUL7Z7XDJPO46QK37PRXM434FHW5OI27RF6EG54RFC4EXGIV6O6HWCRGYKJMEIKW7KIAPWCBBTBQD4PBNMA7KHMU6PQ5TTIBD5GKUWETZWZBN4JCX7HUYAI2FGV56PNX4636VGRFY7Y4TKR45Q7LHEIYRTSDTJNGPC4HUKR2PBGMD744OS4WTXGGRU5VKMRQI6RYYLLMR4MHHLTPCHKK2HZSG5ZLHXNS6SGJDCKRI5ZV73OXAQBGYGZCSEFJ4HZSHI3P7WAISD3GD32MPBCRRHDACG3UBKYB6NTVDCLBV6RRR2PU35DMT4S5HS7GF2XPNEVV22NVOTCWEKXRFAGOLLTLHQISCRZIYQI3H4RPXIOWQGUVS543OVZGMQZDSTBJ36KJXMMXHTC6RIE766KRJUUYGM======',
};
const TOKEN_UPDATE = {
  message: 'newfbtoken123|PIPU0001ABCD|2025-01-01T12:00:00.000Z',
  signature:
    'EJBCDXAENRI5AMCKRCCGUDZXGKY3UJXWWR2D26BLYNWCLVNGK3N5AJCXWXVSCMD4QGCJ3NV7DJLD7ISGC4SHTJ2TIFYRZGCRWRZW6QQCSZJKYIPTU3HODW2EGYXLUKZSZWGXK3YPCPKVUQUEYJOHZDIP6MWWPGOEGK77CHXRJGJ3M56UHMKUATD66NTMM2RHUINB4O3EWPZAV5S7S62UUXUHHYYVHG4P42CIHGATNSULYQ4OP6UZ6RMICV5NERCTXPJYHHFHAZPLGOU5BUH3LZ3C2SVSQRINNE6U23MOTLFQRDL4Y4TGUI3QJI4XUWAGXDOQRIUULB5KGS67QPJIMILJDVBYSOZZPLYQR4L5QNYV6RXBNGQ2G2AJNFCIVSQ7AAHC5A2QBJ7KH2PRKBIUI5DKZI======',
};

const NONCE = 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQT';
const SERIAL = 'PIPU0001ABCD';
const CHALLENGE = {
  nonce: NONCE,
  url: 'https://mfa.example.org/ttype/push',
  serial: SERIAL,
  question: 'Do you want to confirm the login?',
  title: 'privacyIDEA',
  sslverify: '1',
};
const TIMESTAMP = '2025-01-01T12:00:00.000Z';

/** Base64 SPKI of a freshly generated public key (one line, as the app sends it). */
function spkiBase64(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

function flipLastChar(sig: string): string {
  const body = sig.replace(/=+$/, '');
  const pad = sig.slice(body.length);
  const last = body[body.length - 1];
  return body.slice(0, -1) + (last === 'A' ? 'B' : 'A') + pad;
}

describe('push messages (§4)', () => {
  it('builds the signed strings of the vectors', () => {
    expect(PushMessage.challenge(CHALLENGE)).toBe(CHALLENGE_STRING);
    expect(PushMessage.challenge({ ...CHALLENGE, requirePresence: 'A,B,C' })).toBe(
      PRESENCE_CHALLENGE_STRING,
    );
    expect(PushMessage.accept(NONCE, SERIAL)).toBe(ACCEPT.message);
    expect(PushMessage.accept(NONCE, SERIAL, 'B')).toBe(PRESENCE_ACCEPT.message);
    expect(PushMessage.decline(NONCE, SERIAL)).toBe(DECLINE.message);
    expect(PushMessage.poll(SERIAL, TIMESTAMP)).toBe(POLL.message);
    expect(PushMessage.tokenUpdate('newfbtoken123', SERIAL, TIMESTAMP)).toBe(TOKEN_UPDATE.message);
  });

  it('appends a decline reason, and treats empty optional parts like privacyIDEA', () => {
    expect(PushMessage.decline(NONCE, SERIAL, 'cancelled')).toBe(
      `${NONCE}|${SERIAL}|decline|cancelled`,
    );
    expect(PushMessage.decline(NONCE, SERIAL, '')).toBe(DECLINE.message);
    expect(PushMessage.accept(NONCE, SERIAL, '')).toBe(ACCEPT.message);
    // require_presence is tested with `is not None` upstream: an empty list still adds '|'.
    expect(PushMessage.challenge({ ...CHALLENGE, requirePresence: '' })).toBe(
      `${CHALLENGE_STRING}|`,
    );
  });
});

describe('server signatures (§12.3)', () => {
  const priv = serverPrivateKey(SERVER_PRIVATE_PEM);
  const pub = serverPublicKey(SERVER_PUBLIC_PEM);

  it('reproduces the challenge signature exactly (PKCS#1 v1.5 is deterministic)', () => {
    expect(signPush(priv, CHALLENGE_STRING)).toBe(CHALLENGE_SIGNATURE);
    expect(verifyPush(pub, CHALLENGE_STRING, CHALLENGE_SIGNATURE)).toBe(true);
  });

  it('reproduces the challenge signature with presence options', () => {
    expect(signPush(priv, PRESENCE_CHALLENGE_STRING)).toBe(PRESENCE_CHALLENGE_SIGNATURE);
    expect(verifyPush(pub, PRESENCE_CHALLENGE_STRING, PRESENCE_CHALLENGE_SIGNATURE)).toBe(true);
    expect(verifyPush(pub, CHALLENGE_STRING, PRESENCE_CHALLENGE_SIGNATURE)).toBe(false);
  });

  it('reproduces the (optional) capabilities signature', () => {
    expect(signPush(priv, CAPABILITIES_STRING)).toBe(CAPABILITIES_SIGNATURE);
  });

  it('emits upper-case base32 with padding: 256 bytes → 416 characters', () => {
    const sig = signPush(priv, 'x');
    expect(sig).toMatch(/^[A-Z2-7]{410}={6}$/);
    expect(base32Decode(sig)).toHaveLength(256);
  });

  it('refuses to sign with a public or non-RSA key', () => {
    expect(() => signPush(pub, 'x')).toThrow(PushKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signPush(ec.privateKey, 'x')).toThrow(PushKeyError);
  });

  it('loads the server public key from the private key PEM consistently', () => {
    expect(createPublicKey(priv).export({ type: 'pkcs1', format: 'pem' }).toString().trim()).toBe(
      SERVER_PUBLIC_PEM.trim(),
    );
  });
});

describe('app signatures (§12.4)', () => {
  const phone = parsePhoneKey(PHONE_PUBKEY);
  const phonePrivate = createPrivateKey(PHONE_PRIVATE_PEM);
  const vectors = { ACCEPT, DECLINE, PRESENCE_ACCEPT, POLL, TOKEN_UPDATE };
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

  it.each(Object.entries(vectors))('%s verifies with the phone key from `pubkey`', (_n, v) => {
    expect(verifyPush(phone, v.message, v.signature)).toBe(true);
    // The app's signatures are deterministic too.
    expect(signPush(phonePrivate, v.message)).toBe(v.signature);
  });

  it.each(Object.entries(vectors))('%s fails for a changed message', (_n, v) => {
    expect(verifyPush(phone, v.message + ' ', v.signature)).toBe(false);
    expect(verifyPush(phone, v.message.replace(SERIAL, 'PIPU0001ABCE'), v.signature)).toBe(false);
  });

  it.each(Object.entries(vectors))('%s fails with a different key', (_n, v) => {
    expect(verifyPush(other, v.message, v.signature)).toBe(false);
    expect(verifyPush(serverPublicKey(SERVER_PUBLIC_PEM), v.message, v.signature)).toBe(false);
  });

  it.each(Object.entries(vectors))('%s: lenient variants still verify', (_n, v) => {
    expect(verifyPush(phone, v.message, v.signature.toLowerCase())).toBe(true);
    expect(verifyPush(phone, v.message, v.signature.replace(/=+$/, ''))).toBe(true);
    expect(verifyPush(phone, v.message, `  ${v.signature.toLowerCase()}\n`)).toBe(true);
  });

  it('accept/decline/presence signatures do not cross-verify', () => {
    expect(verifyPush(phone, DECLINE.message, ACCEPT.signature)).toBe(false);
    expect(verifyPush(phone, ACCEPT.message, DECLINE.signature)).toBe(false);
    expect(verifyPush(phone, ACCEPT.message, PRESENCE_ACCEPT.signature)).toBe(false);
    expect(
      verifyPush(phone, PushMessage.accept(NONCE, SERIAL, 'C'), PRESENCE_ACCEPT.signature),
    ).toBe(false);
  });

  it('rejects truncated, altered, junk and oversized signatures without throwing', () => {
    const sig = ACCEPT.signature;
    const bad = [
      sig.slice(0, 400), // truncated: decodes, wrong length
      sig.replace(/=+$/, '').slice(0, -8), // truncated by one 5-byte group
      sig.replace(/=+$/, '') + 'AAAAAAAA', // too long
      flipLastChar(sig), // right length, wrong bits
      'A' + sig.slice(1).replace(/^./, (c) => (c === 'B' ? 'C' : 'B')),
      sig.replace('H', '1'), // '1' is not base32
      sig.replace('H', '='), // inner padding
      sig.slice(0, 200) + ' ' + sig.slice(200), // inner whitespace
      Buffer.from(base32Decode(sig)!).toString('base64'), // base64, not base32
      '',
      '   ',
      '========',
      'not base32 at all!',
      'ß'.repeat(10),
      'A'.repeat(100_000),
    ];
    for (const s of bad) expect(verifyPush(phone, ACCEPT.message, s)).toBe(false);
  });

  it('never throws for absurd arguments', () => {
    const junk: unknown[] = [undefined, null, 42, {}, []];
    for (const j of junk) {
      expect(verifyPush(phone, ACCEPT.message, j as string)).toBe(false);
      expect(verifyPush(phone, j as string, ACCEPT.signature)).toBe(false);
      expect(verifyPush(j as KeyObject, ACCEPT.message, ACCEPT.signature)).toBe(false);
    }
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(verifyPush(ec.publicKey, ACCEPT.message, ACCEPT.signature)).toBe(false);
    // A private key object is not a verification key here.
    expect(verifyPush(phonePrivate, ACCEPT.message, ACCEPT.signature)).toBe(false);
  });

  it('decodePushSignature is lenient only about case, padding and surrounding space', () => {
    expect(decodePushSignature(' mzxw6=== ')).toEqual(Buffer.from('foo'));
    expect(decodePushSignature('MZXW6')).toEqual(Buffer.from('foo'));
    expect(decodePushSignature('MZ XW6')).toBeUndefined();
    expect(decodePushSignature('MZXW6===x')).toBeUndefined();
    expect(decodePushSignature('')).toBeUndefined();
  });
});

describe('parsePhoneKey (§3)', () => {
  const expectedDer = Buffer.from(PHONE_PUBKEY, 'base64');
  const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });

  it('loads the vector key as RSA-2048', () => {
    const key = parsePhoneKey(PHONE_PUBKEY);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(der(key)).toEqual(expectedDer);
  });

  it('repairs URL-safe base64, lost "+" (spaces) and surrounding whitespace', () => {
    const urlSafe = PHONE_PUBKEY.replace(/\+/g, '-').replace(/\//g, '_');
    expect(urlSafe).not.toBe(PHONE_PUBKEY);
    expect(der(parsePhoneKey(urlSafe))).toEqual(expectedDer);
    const formDecoded = PHONE_PUBKEY.replace(/\+/g, ' ');
    expect(formDecoded).toContain(' ');
    expect(der(parsePhoneKey(formDecoded))).toEqual(expectedDer);
    expect(der(parsePhoneKey(`\n  ${PHONE_PUBKEY}\r\n`))).toEqual(expectedDer);
    expect(der(parsePhoneKey(PHONE_PUBKEY.replace(/=+$/, '')))).toEqual(expectedDer);
    // Line-wrapped (PEM body style) is fine too: privacyIDEA loads it through PEM armour.
    expect(der(parsePhoneKey(PHONE_PUBKEY.replace(/(.{64})/g, '$1\n')))).toEqual(expectedDer);
  });

  it('accepts 3072- and 4096-bit RSA keys', () => {
    for (const modulusLength of [3072, 4096]) {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength });
      expect(parsePhoneKey(spkiBase64(publicKey)).asymmetricKeyDetails?.modulusLength).toBe(
        modulusLength,
      );
    }
  });

  function refusal(text: string): string {
    try {
      parsePhoneKey(text);
    } catch (e) {
      expect(e).toBeInstanceOf(PushKeyError);
      const message = (e as Error).message;
      // Short, and free of key material.
      expect(message.length).toBeLessThan(100);
      for (let i = 0; i + 12 <= text.length; i++)
        expect(message).not.toContain(text.slice(i, i + 12));
      return message;
    }
    throw new Error('accepted');
  }

  it('refuses a 1024-bit RSA key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(refusal(spkiBase64(publicKey))).toMatch(/2048\.\.4096 bits, not 1024/);
  });

  it('refuses exponents other than 65537 (a huge one makes every check expensive)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    expect(refusal(spkiBase64(publicKey))).toMatch(/exponent 65537/);
  });

  it('refuses an EC P-256 key, an Ed25519 key and an RSA-PSS key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(refusal(spkiBase64(ec))).toMatch(/not an RSA key/);
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(refusal(spkiBase64(ed))).toMatch(/not an RSA key/);
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey;
    expect(refusal(spkiBase64(pss))).toMatch(/not an RSA key/);
  });

  it('refuses a PKCS#1 RSAPublicKey body (not SPKI)', () => {
    const pkcs1 = parsePhoneKey(PHONE_PUBKEY)
      .export({ type: 'pkcs1', format: 'der' })
      .toString('base64');
    expect(refusal(pkcs1)).toMatch(/not a SubjectPublicKeyInfo/);
    // …and the server's own PKCS#1 body from the stage-2 response.
    expect(refusal(DETAIL_PUBLIC_KEY)).toMatch(/not a SubjectPublicKeyInfo/);
  });

  it('refuses PEM armour, junk, truncation and trailing bytes', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${PHONE_PUBKEY}\n-----END PUBLIC KEY-----`;
    // The '-' repair turns the armour into base64 letters, so it fails as DER (as upstream).
    expect(refusal(pem)).toMatch(/DER/);
    expect(refusal('')).toMatch(/base64/);
    expect(refusal('   ')).toMatch(/base64/);
    expect(refusal('no_firebase_token')).toMatch(/base64/); // 17 characters
    expect(refusal('!!!!')).toMatch(/base64/);
    expect(refusal(PHONE_PUBKEY.slice(0, 200))).toMatch(/DER/);
    const trailing = Buffer.concat([expectedDer, Buffer.from([0, 0])]).toString('base64');
    expect(refusal(trailing)).toMatch(/DER/);
    expect(refusal(Buffer.from('hello world').toString('base64'))).toMatch(/DER/);
    // Outer SEQUENCE intact, contents garbage.
    const garbage = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]).toString('base64');
    expect(refusal(garbage)).toMatch(/SubjectPublicKeyInfo/);
  });

  it('bounds the input length before decoding', () => {
    expect(refusal('A'.repeat(4097))).toMatch(/too long/);
    expect(refusal(PHONE_PUBKEY + ' '.repeat(5000))).toMatch(/too long/);
  });

  it('refuses non-strings', () => {
    expect(() => parsePhoneKey(undefined as unknown as string)).toThrow(PushKeyError);
  });
});

describe('server keys (§3 step 5, §12.2)', () => {
  it('appPublicKey strips the PEM lines and keeps the inner line breaks', () => {
    expect(appPublicKey(SERVER_PUBLIC_PEM)).toBe(DETAIL_PUBLIC_KEY);
    expect(appPublicKey(SERVER_PUBLIC_PEM.replace(/\n/g, '\r\n'))).toBe(DETAIL_PUBLIC_KEY);
    expect(appPublicKey(SERVER_PUBLIC_PEM.trim())).toBe(DETAIL_PUBLIC_KEY);
    expect(DETAIL_PUBLIC_KEY.split('\n')).toHaveLength(6);
  });

  it('appPublicKey yields a body the app can read as an RSAPublicKey', () => {
    const der = Buffer.from(appPublicKey(SERVER_PUBLIC_PEM).replace(/\n/g, ''), 'base64');
    const key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
  });

  it('appPublicKey refuses SPKI PEMs, private keys and damaged bodies', () => {
    const spki = serverPublicKey(SERVER_PUBLIC_PEM).export({ type: 'spki', format: 'pem' });
    expect(() => appPublicKey(spki.toString())).toThrow(PushKeyError);
    expect(() => appPublicKey(SERVER_PRIVATE_PEM)).toThrow(PushKeyError);
    expect(() => appPublicKey('')).toThrow(PushKeyError);
    expect(() => appPublicKey(SERVER_PUBLIC_PEM.replace('MIIBCgKC', 'MIIBCgKD'))).toThrow(
      PushKeyError,
    );
  });

  it('serverPublicKey refuses private keys and junk; serverPrivateKey refuses junk', () => {
    expect(() => serverPublicKey(SERVER_PRIVATE_PEM)).toThrow(PushKeyError);
    expect(() => serverPublicKey('junk')).toThrow(PushKeyError);
    expect(() => serverPrivateKey(SERVER_PUBLIC_PEM)).toThrow(PushKeyError);
    expect(() => serverPrivateKey('junk')).toThrow(PushKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() =>
      serverPrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    ).toThrow(/not an RSA key/);
    expect(() =>
      serverPublicKey(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    ).toThrow(/not an RSA key/);
  });

  it('generateServerKeyPair(2048) gives PKCS#1 PEMs that round-trip sign/verify', async () => {
    const { publicPem, privatePem } = await generateServerKeyPair(2048);
    expect(publicPem).toMatch(
      /^-----BEGIN RSA PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END RSA PUBLIC KEY-----\n$/,
    );
    expect(privatePem).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END RSA PRIVATE KEY-----\n$/,
    );
    const pub = serverPublicKey(publicPem);
    expect(pub.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    const sig = signPush(serverPrivateKey(privatePem), CHALLENGE_STRING);
    expect(verifyPush(pub, CHALLENGE_STRING, sig)).toBe(true);
    expect(verifyPush(serverPublicKey(SERVER_PUBLIC_PEM), CHALLENGE_STRING, sig)).toBe(false);
    const body = appPublicKey(publicPem);
    expect(body.split('\n').every((line) => line.length <= 64)).toBe(true);
  });

  it('generateServerKeyPair rejects silly sizes', async () => {
    await expect(generateServerKeyPair(1024)).rejects.toThrow(RangeError);
    await expect(generateServerKeyPair(2048.5)).rejects.toThrow(RangeError);
  });
});
