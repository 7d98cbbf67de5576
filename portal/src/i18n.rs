//! The portal's texts in Kazakh, Russian and English; English follows the e-government guides word for word.

use serde::Deserialize;

/// Page language, from `?lang=` (default Russian, as egov.kz opens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    #[default]
    Ru,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Kk => "kk",
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

/// Every text a page or an API reply shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    AgreementTitle,
    AgreementText,
    AgreementTick,
    AgreementRequired,
    Registered,
    AuthorizationError,
    PasswordLoginBlocked,
    RefusedPsc,
    RefusedCls,
    AlreadyRegistered,
    PasswordsDiffer,
    PasswordWeak,
    EmailInvalid,
    EdsRejected,
    RevocationUnavailable,
    TooManyRequests,
    TryLater,
    EntityMismatch,
    RegisterWithEds,
    Individual,
    LegalEntity,
    NewPassword,
    PasswordConfirmation,
    Email,
    LoginTitle,
    RegisterTitle,
    LoginTab,
    EdsTab,
    LoginField,
    Password,
    SignIn,
    SignInWithEds,
    PersonalAccount,
    Services,
    Iin,
    Bin,
    FullName,
    Validity,
    PasswordChanged,
    NewPasswordSent,
    RecoveryDataMismatch,
    NewPasswordMailSubject,
    PortalName,
    LogIn,
    LogOut,
    AccountType,
    CertificateValidity,
    NoCertificate,
    LastLogins,
    FailedAttempts,
    NoneYet,
    Time,
    Method,
    SourceAddress,
    ForCitizens,
    ForBusiness,
    ServiceNoCriminalRecord,
    ServiceAddress,
    ServiceResidence,
    ServicePension,
    ServiceBirth,
    ServiceLegalEntityCertificate,
    ServiceNotAvailable,
}

impl Text {
    pub fn in_lang(self, lang: Lang) -> &'static str {
        let [kk, ru, en] = self.all();
        match lang {
            Lang::Kk => kk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }

    fn all(self) -> [&'static str; 3] {
        use Text::*;
        match self {
            AgreementTitle => ["Пайдаланушы келісімі", "Пользовательское соглашение", "User Agreement"],
            AgreementText => [
                "Осы Келісім Пайдаланушы мен «Электрондық үкімет» веб-порталы арасындағы порталды пайдалану жөніндегі қатынастарды реттейді. Пайдаланушы өзі туралы дұрыс мәліметтер беруге, құпиясөзін және ЭЦҚ кілттерін үшінші тұлғаларға бермеуге міндеттенеді. Портал Пайдаланушының дербес деректерін Қазақстан Республикасының заңнамасына сәйкес мемлекеттік қызметтерді көрсету үшін ғана өңдейді.",
                "Настоящее Соглашение регулирует отношения между Пользователем и веб-порталом «Электронного правительства» по использованию портала. Пользователь обязуется предоставлять достоверные сведения о себе, не передавать третьим лицам свой пароль и ключи ЭЦП. Портал обрабатывает персональные данные Пользователя только для оказания государственных услуг в соответствии с законодательством Республики Казахстан.",
                "This Agreement governs the relations between the User and the web Portal of the \"Electronic Government\" regarding the use of the Portal. The User undertakes to provide accurate information about himself and not to pass his password and EDS keys to third parties. The Portal processes the User's personal data only to provide public services in accordance with the legislation of the Republic of Kazakhstan.",
            ],
            AgreementTick => [
                "Пайдаланушы осы Келісімнің барлық тармақтарымен танысқанын растайды және оларды сөзсіз қабылдайды",
                "Пользователь подтверждает, что ознакомлен со всеми пунктами настоящего Соглашения и безусловно принимает их",
                "The User confirms that he is familiar with all the clauses of this Agreement and unconditionally accepts them",
            ],
            AgreementRequired => [
                "Пайдаланушы келісімін қабылдаңыз",
                "Примите пользовательское соглашение",
                "Accept the user agreement",
            ],
            Registered => [
                "Құттықтаймыз, сіз Қазақстан Республикасының «Электрондық үкімет» веб-порталында сәтті тіркелдіңіз",
                "Поздравляем, Вы успешно зарегистрировались на веб-портале «Электронного правительства» Республики Казахстан",
                "Congratulations, you have successfully registered on the web Portal of the \"Electronic Government\" of the Republic of Kazakhstan",
            ],
            AuthorizationError => [
                "Авторизация қатесі: логин немесе құпиясөз қате енгізілді",
                "Ошибка авторизации: введен неверный логин или пароль",
                "Authorization error: incorrect login or password entered",
            ],
            PasswordLoginBlocked => [
                "Осы ЖСН/БСН үшін логин мен құпиясөз арқылы кіру уақытша бұғатталған. Порталға ЭЦҚ, SIM-картадағы ЭЦҚ немесе бір реттік құпиясөз арқылы кіре аласыз",
                "Вход по логину и паролю для данного ИИН/БИН временно заблокирован. Вы можете войти на Портал с помощью ЭЦП, ЭЦП на SIM-карте или одноразового пароля",
                "Login with the login password for this IIN/BIN is temporarily blocked. You can log in to the Portal using an EDS, an EDS on a SIM card or a One-time password",
            ],
            RefusedPsc => [
                "Тіркеу мүмкін емес: ХҚКО құжаттама бөліміне жүгініңіз",
                "Регистрация невозможна: обратитесь в отдел документирования ЦОН",
                "Registration is not possible: please contact the documentation department of the PSC",
            ],
            RefusedCls => [
                "Тіркеу мүмкін емес: Құқықтық статистика және арнайы есепке алу жөніндегі комитетке жүгініңіз",
                "Регистрация невозможна: обратитесь в Комитет по правовой статистике и специальным учетам",
                "Registration is not possible: please contact the Committee on Legal Statistics and Special Accounts",
            ],
            AlreadyRegistered => [
                "Бұл ЖСН/БСН порталда тіркелген. Кіріңіз немесе құпиясөзді қалпына келтіріңіз",
                "Данный ИИН/БИН уже зарегистрирован на портале. Войдите или восстановите пароль",
                "This IIN/BIN is already registered on the portal. Log in or restore your password",
            ],
            PasswordsDiffer => [
                "Құпиясөз бен растау сәйкес келмейді",
                "Пароль и подтверждение не совпадают",
                "The password and its confirmation do not match",
            ],
            PasswordWeak => [
                "Құпиясөз кемінде 8 таңбадан тұруы, әріптер мен цифрларды қамтуы керек",
                "Пароль должен быть не короче 8 символов и содержать буквы и цифры",
                "The password must be at least 8 characters long and contain letters and digits",
            ],
            EmailInvalid => [
                "Электрондық поштаны дұрыс енгізіңіз",
                "Введите корректный адрес электронной почты",
                "Enter a valid e-mail address",
            ],
            RevocationUnavailable => [
                "Сертификаттың кері қайтарылмағанын қазір тексеру мүмкін емес: порталдағы кері қайтарылған сертификаттар тізімі ескірген. Кейінірек қайталап көріңіз",
                "Сейчас невозможно проверить, не отозван ли сертификат: список отозванных сертификатов на портале устарел. Повторите позже",
                "The certificate's revocation status cannot be checked right now: the portal's certificate revocation list is out of date. Try again later",
            ],
            TooManyRequests => [
                "Сұраулар тым көп. Біраз күтіп, қайталап көріңіз",
                "Слишком много запросов. Подождите немного и повторите",
                "Too many requests. Wait a little and try again",
            ],
            TryLater => [
                "Портал қазір бос емес. Кейінірек қайталап көріңіз",
                "Портал сейчас перегружен. Повторите позже",
                "The portal is busy right now. Try again later",
            ],
            EdsRejected => [
                "ЭЦҚ тексерілмеді: жарамды сертификатты таңдап, қайталап көріңіз",
                "ЭЦП не прошла проверку: выберите действующий сертификат и повторите",
                "The EDS did not pass verification: choose a valid certificate and try again",
            ],
            EntityMismatch => [
                "Сертификат таңдалған тұлға түріне сәйкес келмейді",
                "Сертификат не соответствует выбранному типу лица",
                "The certificate does not match the chosen kind of person",
            ],
            RegisterWithEds => ["ЭЦҚ арқылы тіркелу", "Зарегистрироваться с ЭЦП", "Register with EDS"],
            Individual => ["Жеке тұлға", "Физическое лицо", "Individual"],
            LegalEntity => ["Заңды тұлға", "Юридическое лицо", "Legal entity"],
            NewPassword => ["Жаңа құпиясөз", "Новый пароль", "New password"],
            PasswordConfirmation => ["Құпиясөзді растау", "Подтверждение пароля", "Password confirmation"],
            Email => ["Электрондық пошта", "Электронная почта", "E-mail"],
            LoginTitle => ["Порталға кіру", "Вход на портал", "Log in to the Portal"],
            RegisterTitle => ["Тіркелу", "Регистрация", "Registration"],
            LoginTab => ["Логин мен құпиясөз", "Логин и пароль", "Login and password"],
            EdsTab => ["ЭЦҚ", "ЭЦП", "EDS"],
            LoginField => ["ЖСН, БСН немесе e-mail", "ИИН, БИН или e-mail", "IIN, BIN or e-mail"],
            Password => ["Құпиясөз", "Пароль", "Password"],
            SignIn => ["Кіру", "Войти", "Log in"],
            SignInWithEds => ["ЭЦҚ арқылы кіру", "Войти с ЭЦП", "Log in with EDS"],
            PersonalAccount => ["Жеке кабинет", "Личный кабинет", "Personal account"],
            Services => ["Қызметтер", "Услуги", "Services"],
            Iin => ["ЖСН", "ИИН", "IIN"],
            Bin => ["БСН", "БИН", "BIN"],
            FullName => ["Аты-жөні", "ФИО", "Full name"],
            Validity => ["Жарамдылық мерзімі", "Срок действия", "Validity"],
            PasswordChanged => [
                "Құпиясөз сәтті өзгертілді",
                "Пароль успешно изменен",
                "The password was changed successfully",
            ],
            NewPasswordSent => [
                "Жаңа құпиясөз тіркелген электрондық поштаңызға жіберілді",
                "Новый пароль отправлен на Вашу зарегистрированную электронную почту",
                "A new password has been sent to your registered e-mail",
            ],
            RecoveryDataMismatch => [
                "Енгізілген деректер порталдағы деректерге сәйкес келмейді",
                "Введенные данные не совпадают с данными портала",
                "The data entered do not match the portal's records",
            ],
            NewPasswordMailSubject => [
                "«Электрондық үкімет» порталына кіруге арналған жаңа құпиясөз",
                "Новый пароль для входа на портал «Электронного правительства»",
                "Your new password for the \"Electronic Government\" portal",
            ],
            PortalName => [
                "«Электрондық үкімет» порталы",
                "Портал «Электронного правительства»",
                "\"Electronic Government\" Portal",
            ],
            LogIn => ["Кіру", "Вход", "Log in"],
            LogOut => ["Шығу", "Выйти", "Log out"],
            AccountType => ["Есептік жазба түрі", "Тип учетной записи", "Account type"],
            CertificateValidity => [
                "Сертификаттың жарамдылық мерзімі",
                "Срок действия сертификата",
                "Certificate validity",
            ],
            NoCertificate => [
                "Құпиясөзбен кіру: сертификат ұсынылмады",
                "Вход по паролю: сертификат не предъявлялся",
                "Logged in with a password: no certificate was presented",
            ],
            LastLogins => ["Соңғы кірулер", "Последние входы", "Last logins"],
            FailedAttempts => [
                "Құпиясөзбен кірудің сәтсіз әрекеттері",
                "Неудачные попытки входа по паролю",
                "Failed password attempts",
            ],
            NoneYet => ["Жоқ", "Нет", "None"],
            Time => ["Уақыты", "Время", "Time"],
            Method => ["Тәсілі", "Способ", "Method"],
            SourceAddress => ["IP-мекенжай", "IP-адрес", "IP address"],
            ForCitizens => ["Азаматтарға", "Гражданам", "For citizens"],
            ForBusiness => ["Бизнеске", "Бизнесу", "For business"],
            ServiceNoCriminalRecord => [
                "Сотталғандығының болуы не болмауы туралы анықтама",
                "Справка о наличии либо отсутствии судимости",
                "Certificate of the presence or absence of a criminal record",
            ],
            ServiceAddress => [
                "Тұрақты тұрғылықты жері туралы мекенжай анықтамасы",
                "Адресная справка о месте постоянного проживания",
                "Address certificate of the place of permanent residence",
            ],
            ServiceResidence => [
                "Тұрғылықты жері бойынша тіркеу",
                "Регистрация по месту жительства",
                "Registration at the place of residence",
            ],
            ServicePension => [
                "Жеке зейнетақы шотынан үзінді көшірме",
                "Выписка с индивидуального пенсионного счета",
                "Statement of the individual pension account",
            ],
            ServiceBirth => [
                "Баланың тууын тіркеу",
                "Регистрация рождения ребенка",
                "Registration of the birth of a child",
            ],
            ServiceLegalEntityCertificate => [
                "Заңды тұлғаны мемлекеттік тіркеу (қайта тіркеу) туралы анықтама",
                "Справка о государственной регистрации (перерегистрации) юридического лица",
                "Certificate of state registration (re-registration) of a legal entity",
            ],
            ServiceNotAvailable => [
                "Анықтамалық портал: қызметтерге өтініштер қабылданбайды",
                "Демонстрационный портал: заявки на услуги не принимаются",
                "Reference portal: service requests are not accepted",
            ],
        }
    }
}
