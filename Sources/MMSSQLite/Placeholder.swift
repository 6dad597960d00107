import MMSCore
