namespace Coffer.Server.Auth;

/// <summary>The token level an app grants an endpoint (api.md §2.2). 0 forbidden, 1 public or secret, 2 secret only.</summary>
public enum TokenLevel
{
    Forbidden = 0,
    Public = 1,
    Secret = 2,
}

/// <summary>
/// The per-endpoint options of an app (api.md §2.2). The wire/DB name is the snake_case name; the default
/// applies when the app has no row in <c>app_option</c>.
/// </summary>
public sealed class AppOption
{
    private static readonly List<AppOption> All = [];

    private AppOption(string name, TokenLevel defaultLevel)
    {
        Name = name;
        DefaultLevel = defaultLevel;
        All.Add(this);
    }

    public string Name { get; }

    public TokenLevel DefaultLevel { get; }

    public static AppOption UserExists { get; } = new("user_exists", TokenLevel.Public);
    public static AppOption UserRegister { get; } = new("user_register", TokenLevel.Secret);
    public static AppOption UserDelete { get; } = new("user_delete", TokenLevel.Secret);
    public static AppOption UserPrepareLogin { get; } = new("user_prepare_login", TokenLevel.Public);
    public static AppOption UserDoneLogin { get; } = new("user_done_login", TokenLevel.Public);
    public static AppOption UserUpdate { get; } = new("user_update", TokenLevel.Public);
    public static AppOption UserChangePassword { get; } = new("user_change_password", TokenLevel.Public);
    public static AppOption UserResetPassword { get; } = new("user_reset_password", TokenLevel.Public);
    public static AppOption UserPublicData { get; } = new("user_public_data", TokenLevel.Public);
    public static AppOption UserJwtRefresh { get; } = new("user_jwt_refresh", TokenLevel.Public);
    public static AppOption UserDeviceRegister { get; } = new("user_device_register", TokenLevel.Public);
    public static AppOption UserDeviceDelete { get; } = new("user_device_delete", TokenLevel.Public);
    public static AppOption UserDeviceList { get; } = new("user_device_list", TokenLevel.Public);
    public static AppOption UserKeyUpdate { get; } = new("user_key_update", TokenLevel.Public);
    public static AppOption UserRegisterOtp { get; } = new("user_register_otp", TokenLevel.Public);
    public static AppOption UserResetOtp { get; } = new("user_reset_otp", TokenLevel.Public);
    public static AppOption UserDisableOtp { get; } = new("user_disable_otp", TokenLevel.Public);
    public static AppOption UserGetOtpRecoveryKeys { get; } = new("user_get_otp_recovery_keys", TokenLevel.Public);
    public static AppOption GroupCreate { get; } = new("group_create", TokenLevel.Public);
    public static AppOption GroupGet { get; } = new("group_get", TokenLevel.Public);
    public static AppOption GroupUserKeys { get; } = new("group_user_keys", TokenLevel.Public);
    public static AppOption GroupUserUpdateCheck { get; } = new("group_user_update_check", TokenLevel.Public);
    public static AppOption GroupList { get; } = new("group_list", TokenLevel.Public);
    public static AppOption GroupInvite { get; } = new("group_invite", TokenLevel.Public);
    public static AppOption GroupAutoInvite { get; } = new("group_auto_invite", TokenLevel.Public);
    public static AppOption GroupAcceptInvite { get; } = new("group_accept_invite", TokenLevel.Public);
    public static AppOption GroupRejectInvite { get; } = new("group_reject_invite", TokenLevel.Public);
    public static AppOption GroupJoinReq { get; } = new("group_join_req", TokenLevel.Public);
    public static AppOption GroupAcceptJoinReq { get; } = new("group_accept_join_req", TokenLevel.Public);
    public static AppOption GroupRejectJoinReq { get; } = new("group_reject_join_req", TokenLevel.Public);
    public static AppOption GroupKeyRotation { get; } = new("group_key_rotation", TokenLevel.Public);
    public static AppOption GroupUserDelete { get; } = new("group_user_delete", TokenLevel.Public);
    public static AppOption GroupDelete { get; } = new("group_delete", TokenLevel.Public);
    public static AppOption GroupLeave { get; } = new("group_leave", TokenLevel.Public);
    public static AppOption GroupChangeRank { get; } = new("group_change_rank", TokenLevel.Public);
    public static AppOption GroupInviteStop { get; } = new("group_invite_stop", TokenLevel.Public);
    public static AppOption KeyRegister { get; } = new("key_register", TokenLevel.Public);
    public static AppOption KeyGet { get; } = new("key_get", TokenLevel.Public);
    public static AppOption FileRegister { get; } = new("file_register", TokenLevel.Public);
    public static AppOption FilePartUpload { get; } = new("file_part_upload", TokenLevel.Public);
    public static AppOption FileGet { get; } = new("file_get", TokenLevel.Public);
    public static AppOption FilePartDownload { get; } = new("file_part_download", TokenLevel.Public);
    public static AppOption FileDelete { get; } = new("file_delete", TokenLevel.Public);
    public static AppOption Content { get; } = new("content", TokenLevel.Public);
    public static AppOption ContentSmall { get; } = new("content_small", TokenLevel.Secret);
    public static AppOption ContentMed { get; } = new("content_med", TokenLevel.Secret);
    public static AppOption ContentLarge { get; } = new("content_large", TokenLevel.Secret);
    public static AppOption ContentXLarge { get; } = new("content_x_large", TokenLevel.Secret);

    public static IReadOnlyList<AppOption> Values => All;

    public static AppOption? FromName(string name) => All.Find(o => o.Name == name);

    public override string ToString() => Name;
}
