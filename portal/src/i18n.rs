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
    ForgotPassword,
    AuthInstruction,
    PasswordChangeTitle,
    PasswordChangeWays,
    ChangeByEds,
    ChangeByEmail,
    ChangeByEdsHint,
    ChangeByEmailHint,
    SelectCertificate,
    ChangePassword,
    LogInWithNewPassword,
    UserType,
    DocumentNumber,
    IssueDate,
    RegistrationNumber,
    GetNewPassword,
    EmailRecoveryHint,
    HelpEdsTitle,
    HelpEdsStart,
    HelpEdsTab,
    HelpEdsAllowSite,
    HelpEdsChooseKey,
    HelpEdsIdentity,
    HelpBlockedTitle,
    HelpBlockedText,
    HelpTrustTitle,
    HelpTrustText,
    HelpPasswordTitle,
    HelpPasswordText,
    ChangeRequestSigned,
    OtherWays,
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
                "Енгізілген ЖСН бойынша есептік жазба құру мүмкін емес. Түсініктеме алу үшін ХҚКО-дағы халықты құжаттандыру бөліміне жүгіну қажет",
                "Невозможно создать учетную запись по введенному ИИН. За разъяснениями необходимо обратиться в отдел документирования населения в ЦОН",
                "It is not possible to create an account using the entered IIN. For explanations, it is necessary to contact the department of documentation of the population in the PSC",
            ],
            RefusedCls => [
                "Енгізілген ЖСН мәні бойынша есептік жазба құру мүмкін емес. Түсініктеме алу үшін Қазақстан Республикасы Бас прокуратурасының Құқықтық статистика және арнайы есепке алу жөніндегі комитетінің басқармасына жүгіну қажет http://www.pravstat.kz",
                "Невозможно создать учетную запись по введенному значению ИИН. За разъяснениями необходимо обратиться в Управление Комитета по правовой статистике и специальным учетам Генеральной прокуратуры Республики Казахстан http://www.pravstat.kz",
                "It is not possible to create an account using the entered IIN value. For explanations, it is necessary to contact the Department of the Committee on Legal Statistics and Special Accounts of the Prosecutor General's Office of the Republic of Kazakhstan http://www.pravstat.kz",
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
            ForgotPassword => ["Құпиясөзді ұмыттыңыз ба?", "Забыли пароль?", "Forgot your password?"],
            AuthInstruction => [
                "Пайдаланушыны авторизациялау нұсқаулығы",
                "Инструкция по авторизации пользователя",
                "User Authorization Instruction",
            ],
            PasswordChangeTitle => ["Құпиясөзді өзгерту", "Смена пароля", "Password change"],
            PasswordChangeWays => [
                "Құпиясөзді екі тәсілмен өзгертуге болады:",
                "Сменить пароль можно двумя способами:",
                "The password can be changed in two ways:",
            ],
            ChangeByEds => [
                "ЭЦҚ арқылы құпиясөзді өзгерту",
                "Сменить пароль с помощью ЭЦП",
                "Change password by EDS",
            ],
            ChangeByEmail => [
                "E-mail арқылы құпиясөзді өзгерту",
                "Сменить пароль по e-mail",
                "Change password by e-mail",
            ],
            ChangeByEdsHint => [
                "Qoltanba сертификатты таңдауды және осы сайттағы құпиясөзді өзгерту сұрауына қол қоюды сұрайды, содан кейін жаңа құпиясөзді енгізесіз.",
                "Qoltanba попросит выбрать сертификат и подписать запрос на смену пароля на этом сайте, затем вы введете новый пароль.",
                "Qoltanba asks you to choose your certificate and sign the request to change your password on this site; then you enter the new password.",
            ],
            ChangeByEmailHint => [
                "Құжат деректері бойынша: жаңа құпиясөз тіркеу кезінде көрсетілген электрондық поштаға жіберіледі.",
                "По данным документа: новый пароль отправляется на электронную почту, указанную при регистрации.",
                "By your document data: a new password is sent to the e-mail address given at registration.",
            ],
            SelectCertificate => ["Сертификатты таңдау", "Выбрать сертификат", "Select certificate"],
            ChangePassword => ["Құпиясөзді ауыстыру", "Сменить пароль", "Change password"],
            LogInWithNewPassword => [
                "Порталға жаңа құпиясөзбен кіру үшін авторизация бетінде ЖСН/БСН мен жаңа құпиясөзді енгізіңіз.",
                "Чтобы войти на портал с новым паролем, введите ИИН/БИН и новый пароль на странице авторизации.",
                "To log in to the portal with the new password, enter your IIN/BIN and the new password on the authorization page.",
            ],
            UserType => ["Пайдаланушы түрін таңдаңыз", "Выберите тип пользователя", "Select the type of user"],
            DocumentNumber => ["Құжат нөмірі", "Номер документа", "Document number"],
            IssueDate => ["Берілген күні", "Дата выдачи", "Date of issue"],
            RegistrationNumber => ["Тіркеу нөмірі", "Регистрационный номер", "Registration number"],
            GetNewPassword => ["Жаңа құпиясөз алу", "Получить новый пароль", "Get a new password"],
            EmailRecoveryHint => [
                "Енгізілген мәндер сәйкес келсе, жаңа құпиясөз жасалып, тіркеу кезінде көрсетілген электрондық пошта мекенжайына жіберіледі.",
                "Если введенные значения совпадут, будет сформирован новый пароль, который отправляется на адрес электронной почты, указанный при регистрации.",
                "If the entered values match, a new password is generated and sent to the e-mail address specified during registration.",
            ],
            HelpEdsTitle => [
                "Qoltanba арқылы ЭЦҚ-мен кіру",
                "Вход с ЭЦП через Qoltanba",
                "Logging in with EDS through Qoltanba",
            ],
            HelpEdsStart => [
                "Qoltanba-ны орнатып, іске қосыңыз: ол жүйелік науада (трейде) жұмыс істейді.",
                "Установите и запустите Qoltanba: она работает в системном трее.",
                "Install and start Qoltanba: it stays in the system tray.",
            ],
            HelpEdsTab => [
                "Кіру бетінде «ЭЦҚ» қойындысын ашып, «ЭЦҚ арқылы кіру» түймесін басыңыз.",
                "На странице входа откройте вкладку «ЭЦП» и нажмите «Войти с ЭЦП».",
                "On the login page open the \"EDS\" tab and click \"Log in with EDS\".",
            ],
            HelpEdsAllowSite => [
                "Бірінші рет Qoltanba осы сайтқа рұқсат беру-бермеуді сұрайды: көрсетілген мекенжай порталдың мекенжайы екенін тексеріп, рұқсат етіңіз.",
                "В первый раз Qoltanba спросит, разрешить ли этот сайт: проверьте, что показан адрес портала, и разрешите.",
                "The first time, Qoltanba asks whether to allow this site: check that the address shown is the portal's, then allow it.",
            ],
            HelpEdsChooseKey => [
                "Qoltanba терезесінде AUTH сертификаты бар кілт файлын таңдаңыз (атауы AUTH-тан басталады), оның құпиясөзін енгізіп, сертификатты таңдаңыз.",
                "В окне Qoltanba выберите файл ключа с сертификатом AUTH (его имя начинается с AUTH), введите его пароль и выберите сертификат.",
                "In Qoltanba's window choose the key file with your AUTH certificate (its name begins with AUTH), enter its password and choose the certificate.",
            ],
            HelpEdsIdentity => [
                "Портал ЖСН, БСН, аты-жөніңізді және сертификаттың жарамдылық мерзімін көрсетеді: «Жеке кабинет» немесе «Қызметтер» бөлімін таңдаңыз.",
                "Портал покажет ваши ИИН, БИН, ФИО и срок действия сертификата: выберите «Личный кабинет» или «Услуги».",
                "The portal shows your IIN, BIN, full name and the certificate's validity: choose \"Personal account\" or \"Services\".",
            ],
            HelpBlockedTitle => [
                "Браузер құрылғыдағы қолданбаларға қол жеткізуді бұғаттаса",
                "Если браузер блокирует доступ к приложениям на устройстве",
                "If the browser blocks access to apps on this device",
            ],
            HelpBlockedText => [
                "Бет Qoltanba-мен компьютеріңіздің ішінде (127.0.0.1 мекенжайы бойынша) байланысады. Chrome мен Edge бірінші рет осы сайтқа құрылғыдағы басқа қолданбаларға немесе жергілікті желідегі құрылғыларға қосылуға рұқсат беру-бермеуді сұрайды: «Рұқсат ету» түймесін басыңыз. Бұрын бұғаттаған болсаңыз: мекенжай жолындағы сайт белгішесін басып, «Сайт параметрлері» бөлімінде жергілікті желіге қол жеткізуге рұқсат беріңіз және бетті қайта жүктеңіз. Firefox-та сұрауға рұқсат беріңіз немесе осы сайт үшін бақылаудан қорғауды өшіріңіз.",
                "Страница связывается с Qoltanba внутри вашего компьютера (по адресу 127.0.0.1). Chrome и Edge в первый раз спрашивают, разрешить ли этому сайту доступ к другим приложениям на устройстве или к устройствам локальной сети: нажмите «Разрешить». Если вы ранее запретили доступ: нажмите на значок сайта в адресной строке, в «Настройках сайтов» разрешите доступ к локальной сети и обновите страницу. В Firefox разрешите запрос или отключите защиту от отслеживания для этого сайта.",
                "The page talks to Qoltanba inside your computer (at the address 127.0.0.1). The first time, Chrome and Edge ask whether this site may access other apps and services on this device or devices on your local network: click \"Allow\". If you blocked it before: click the site icon in the address bar, allow local network access in \"Site settings\" and reload the page. In Firefox, allow the prompt or turn off tracking protection for this site.",
            ],
            HelpTrustTitle => [
                "Жергілікті сертификатқа сенім білдірілмесе",
                "Если локальный сертификат не является доверенным",
                "If the local certificate is not trusted",
            ],
            HelpTrustText => [
                "Qoltanba-ға wss://127.0.0.1:13579 мекенжайы арқылы жүгінетін порталдар үшін браузер Qoltanba-ның жергілікті сертификатына сенуі керек; әйтпесе бет Qoltanba жұмыс істеп тұрса да, іске қосылмаған деп хабарлайды. Трейдегі Qoltanba мәзірінде «Жергілікті сертификатқа сену» тармағын таңдаңыз (немесе qoltanba tls install командасын орындаңыз) және браузерді қайта іске қосыңыз. Тексеру үшін https://127.0.0.1:13579/ ашыңыз: сертификатқа сенім білдірілгенде бет ескертусіз ашылады.",
                "Порталам, которые обращаются к Qoltanba по адресу wss://127.0.0.1:13579, нужно, чтобы браузер доверял локальному сертификату Qoltanba; иначе страница сообщает, что Qoltanba не запущена, хотя она работает. В меню Qoltanba в трее выберите «Доверять локальному сертификату» (или выполните qoltanba tls install) и перезапустите браузер. Для проверки откройте https://127.0.0.1:13579/: когда сертификат стал доверенным, страница открывается без предупреждения.",
                "Portals that reach Qoltanba at wss://127.0.0.1:13579 need the browser to trust Qoltanba's local certificate; otherwise the page says Qoltanba is not running although it is. In Qoltanba's tray menu choose \"Trust the local certificate\" (or run qoltanba tls install) and restart the browser. To check, open https://127.0.0.1:13579/: once the certificate is trusted, the page opens without a warning.",
            ],
            ChangeRequestSigned => [
                "Құпиясөзді өзгерту сұрауына қол қойылды. Жаңа құпиясөзді енгізіңіз.",
                "Запрос на смену пароля подписан. Введите новый пароль.",
                "The password change request is signed. Enter the new password.",
            ],
            OtherWays => [
                "Құпиясөзді өзгертудің басқа тәсілі",
                "Другой способ смены пароля",
                "The other way to change the password",
            ],
            HelpPasswordTitle => [
                "Құпиясөзбен кіру",
                "Вход по паролю",
                "Logging in with a password",
            ],
            HelpPasswordText => [
                "ЖСН, БСН немесе e-mail мен құпиясөзді енгізіңіз. 10 сәтсіз әрекеттен кейін құпиясөзбен кіру 15 минутқа бұғатталады, ал ЭЦҚ арқылы кіру жұмыс істей береді. Құпиясөзді ұмытсаңыз, оны ЭЦҚ немесе e-mail арқылы өзгертіңіз.",
                "Введите ИИН, БИН или e-mail и пароль. После 10 неудачных попыток вход по паролю блокируется на 15 минут, а вход с ЭЦП продолжает работать. Если вы забыли пароль, смените его с помощью ЭЦП или по e-mail.",
                "Enter your IIN, BIN or e-mail and your password. After 10 failed attempts password login is blocked for 15 minutes, while login with EDS keeps working. If you forgot your password, change it by EDS or by e-mail.",
            ],
        }
    }
}
